-- The inbox's visitor context: the visitor's time zone and the pages their widget saw (the newest few per visitor).
ALTER TABLE "Visitor" ADD COLUMN "timeZone" TEXT;

CREATE TABLE "VisitorPageView" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "clientAt" BIGINT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VisitorPageView_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "VisitorPageView_organizationId_visitorId_seenAt_idx" ON "VisitorPageView"("organizationId", "visitorId", "seenAt");

CREATE UNIQUE INDEX "VisitorPageView_organizationId_visitorId_clientAt_url_key" ON "VisitorPageView"("organizationId", "visitorId", "clientAt", "url");

ALTER TABLE "VisitorPageView" ADD CONSTRAINT "VisitorPageView_organizationId_visitorId_fkey" FOREIGN KEY ("organizationId", "visitorId") REFERENCES "Visitor"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;
