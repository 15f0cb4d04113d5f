-- StepMetric as a WITHOUT ROWID table: rows live in the primary-key B-tree itself, so bulk
-- ingestion writes two B-trees (primary key + the (name, step) index) instead of three, and reads
-- by (run, name, step) need no rowid hop. Prisma cannot express WITHOUT ROWID in schema.prisma;
-- the columns, key, foreign key and index are exactly what the schema declares.
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_StepMetric" (
    "conversionRunId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" REAL NOT NULL,

    PRIMARY KEY ("conversionRunId", "name", "step"),
    CONSTRAINT "StepMetric_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;
INSERT INTO "new_StepMetric" ("conversionRunId", "name", "step", "value") SELECT "conversionRunId", "name", "step", "value" FROM "StepMetric";
DROP TABLE "StepMetric";
ALTER TABLE "new_StepMetric" RENAME TO "StepMetric";
CREATE INDEX "StepMetric_name_step_idx" ON "StepMetric"("name", "step");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
