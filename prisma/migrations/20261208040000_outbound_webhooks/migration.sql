-- Outbound webhooks: endpoints per project, their deliveries (the outbox of webhook events, written in the
-- transaction of the change) and the delivery log.
CREATE TYPE "WebhookEndpointStatus" AS ENUM ('enabled', 'disabled');

CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "previousSecret" TEXT,
    "previousSecretExpiresAt" TIMESTAMP(3),
    "status" "WebhookEndpointStatus" NOT NULL DEFAULT 'enabled',
    "disabledReason" TEXT,
    "failingSince" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL,
    "ordinal" BIGSERIAL NOT NULL,
    "organizationId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "eventType" TEXT NOT NULL,
    "groupKey" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastStatus" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "status" INTEGER,
    "ok" BOOLEAN NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "response" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "WebhookEndpoint_organizationId_projectId_idx" ON "WebhookEndpoint"("organizationId", "projectId");

CREATE UNIQUE INDEX "WebhookEndpoint_organizationId_id_key" ON "WebhookEndpoint"("organizationId", "id");

CREATE INDEX "WebhookDelivery_organizationId_endpointId_groupKey_status_ordinal_idx" ON "WebhookDelivery"("organizationId", "endpointId", "groupKey", "status", "ordinal");

CREATE INDEX "WebhookDelivery_organizationId_endpointId_createdAt_idx" ON "WebhookDelivery"("organizationId", "endpointId", "createdAt");

CREATE INDEX "WebhookDelivery_status_nextAttemptAt_idx" ON "WebhookDelivery"("status", "nextAttemptAt");

CREATE UNIQUE INDEX "WebhookDelivery_organizationId_id_key" ON "WebhookDelivery"("organizationId", "id");

CREATE INDEX "WebhookAttempt_organizationId_deliveryId_createdAt_idx" ON "WebhookAttempt"("organizationId", "deliveryId", "createdAt");

ALTER TABLE "WebhookEndpoint" ADD CONSTRAINT "WebhookEndpoint_organizationId_projectId_fkey" FOREIGN KEY ("organizationId", "projectId") REFERENCES "Project"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_organizationId_endpointId_fkey" FOREIGN KEY ("organizationId", "endpointId") REFERENCES "WebhookEndpoint"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "WebhookAttempt" ADD CONSTRAINT "WebhookAttempt_organizationId_deliveryId_fkey" FOREIGN KEY ("organizationId", "deliveryId") REFERENCES "WebhookDelivery"("organizationId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A new delivery wakes the worker when its transaction commits (NOTIFY is delivered at commit, never before, and
-- never for a rolled-back row) — a missed notification only costs the sweeper's few seconds.
-- (Semicolons inside the body are written \073: the migration engine splits statements on them.)
CREATE FUNCTION "pp_webhook_delivery_notify"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  PERFORM pg_notify(''pp_webhook_delivery'', NEW."organizationId" || '' '' || NEW.id || '' '' || NEW."endpointId" || '' '' || NEW."groupKey")\073
  RETURN NULL\073
END';

CREATE TRIGGER "WebhookDelivery_notify" AFTER INSERT ON "WebhookDelivery"
  FOR EACH ROW EXECUTE FUNCTION "pp_webhook_delivery_notify"();
