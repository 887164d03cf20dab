-- CreateTable
CREATE TABLE "OrganizationStorage" (
    "organizationId" TEXT NOT NULL,
    "usedBytes" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "OrganizationStorage_pkey" PRIMARY KEY ("organizationId")
);

-- AddForeignKey
ALTER TABLE "OrganizationStorage" ADD CONSTRAINT "OrganizationStorage_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What is stored today.
INSERT INTO "OrganizationStorage" ("organizationId", "usedBytes")
SELECT "organizationId", sum("size") FROM "Attachment" GROUP BY "organizationId";

-- The meter follows every Attachment row, whoever writes or deletes it (cascades included). A delete only ever
-- updates an existing meter: while an organization itself is being deleted, its meter row may already be gone.
-- The body is an escaped string (\073 is a semicolon): migrate deploy splits scripts at every semicolon, dollar
-- quotes included.
CREATE FUNCTION "pp_attachment_storage_meter"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' OR (TG_OP = ''UPDATE'' AND NEW."size" <> OLD."size") THEN
    INSERT INTO "OrganizationStorage" ("organizationId", "usedBytes") VALUES (NEW."organizationId", NEW."size")
    ON CONFLICT ("organizationId") DO UPDATE SET "usedBytes" = "OrganizationStorage"."usedBytes" + NEW."size"\073
  END IF\073
  IF TG_OP = ''DELETE'' OR (TG_OP = ''UPDATE'' AND NEW."size" <> OLD."size") THEN
    UPDATE "OrganizationStorage" SET "usedBytes" = "usedBytes" - OLD."size" WHERE "organizationId" = OLD."organizationId"\073
  END IF\073
  RETURN NULL\073
END\073
';

CREATE TRIGGER "Attachment_storage_meter"
AFTER INSERT OR DELETE OR UPDATE OF "size" ON "Attachment"
FOR EACH ROW EXECUTE FUNCTION "pp_attachment_storage_meter"();
