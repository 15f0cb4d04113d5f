-- The compare cache's data version (src/registry/data-version.ts), written by hand: Prisma cannot
-- express triggers, and these two tables are outside schema.prisma (the engine is told to leave
-- them alone: POSTGRES_EXTERNAL_TABLES in src/registry/migrate.ts).
--
-- Every transaction that writes a table compare reads adds 1 to "DataVersion"."version" when it
-- commits, whichever connection or server replica runs it. A statement trigger on each such table
-- inserts one row per transaction into "DataVersionBump" (later statements find it there), and that
-- row's deferred constraint trigger runs at commit and bumps the counter. The counter's row lock is
-- thus taken only while committing, after every other lock of the transaction: it serialises
-- commits briefly but can never close a deadlock cycle, and the new version becomes visible
-- together with the new rows.

CREATE TABLE "DataVersion" (
    "id" INTEGER NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "DataVersion_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "DataVersion_one_row" CHECK ("id" = 1)
);
INSERT INTO "DataVersion" ("id", "version") VALUES (1, 0);

CREATE TABLE "DataVersionBump" (
    "txid" xid8 NOT NULL DEFAULT pg_current_xact_id(),

    CONSTRAINT "DataVersionBump_pkey" PRIMARY KEY ("txid")
);

CREATE FUNCTION "spikelab_data_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO "DataVersionBump" DEFAULT VALUES ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION "spikelab_bump_data_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "DataVersion" SET "version" = "version" + 1 WHERE "id" = 1;
    DELETE FROM "DataVersionBump" WHERE "txid" = NEW."txid";
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "DataVersionBump_at_commit" AFTER INSERT ON "DataVersionBump"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "spikelab_bump_data_version"();

-- the tables compare reads (COMPARE_TABLES in src/registry/data-version.ts)
CREATE TRIGGER "ConversionRun_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ConversionRun" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
CREATE TRIGGER "StepMetric_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "StepMetric" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
CREATE TRIGGER "Checkpoint_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Checkpoint" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
CREATE TRIGGER "CheckpointAlias_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "CheckpointAlias" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
CREATE TRIGGER "Model_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Model" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
CREATE TRIGGER "Dataset_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Dataset" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
