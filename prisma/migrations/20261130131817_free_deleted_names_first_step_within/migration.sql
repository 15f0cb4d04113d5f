-- DropIndex
DROP INDEX "Dataset_name_key";

-- DropIndex
DROP INDEX "Model_name_key";

-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN "liveName" TEXT;

-- AlterTable
ALTER TABLE "Model" ADD COLUMN "liveName" TEXT;

-- Live rows keep their (unique) names; soft-deleted ones free theirs
UPDATE "Dataset" SET "liveName" = "name" WHERE "deletedAt" IS NULL;
UPDATE "Model" SET "liveName" = "name" WHERE "deletedAt" IS NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_liveName_key" ON "Dataset"("liveName");

-- CreateIndex
CREATE INDEX "Dataset_name_idx" ON "Dataset"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Model_liveName_key" ON "Model"("liveName");

-- CreateIndex
CREATE INDEX "Model_name_idx" ON "Model"("name");

-- firstStepWithin1 is now the first step t with SNN_t >= ANN - 0.01 (src/formats/summary.ts);
-- runs summarised with the former |ANN - SNN| <= 0.01 are recomputed from their stored series
UPDATE "ConversionRun" SET "firstStepWithin1" = (
  SELECT MIN(s."step") FROM "StepMetric" s
  WHERE s."conversionRunId" = "ConversionRun"."id" AND s."name" = "ConversionRun"."primaryMetric" AND s."value" >= "ConversionRun"."annValue" - 0.01 - 1e-12
) WHERE "status" = 'SUCCEEDED' AND "primaryMetric" IS NOT NULL AND "annValue" IS NOT NULL;
