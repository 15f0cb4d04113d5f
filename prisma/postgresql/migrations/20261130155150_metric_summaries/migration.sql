-- CreateTable
CREATE TABLE "MetricSummary" (
    "conversionRunId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "annValue" DOUBLE PRECISION,
    "best" DOUBLE PRECISION,
    "bestStep" INTEGER,
    "firstStepWithin1" INTEGER,
    "lossAtT" DOUBLE PRECISION,

    CONSTRAINT "MetricSummary_pkey" PRIMARY KEY ("conversionRunId","name")
);

-- AddForeignKey
ALTER TABLE "MetricSummary" ADD CONSTRAINT "MetricSummary_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- compare reads this table: its writes bump the data version (see the data_version migration)
CREATE TRIGGER "MetricSummary_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "MetricSummary" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
