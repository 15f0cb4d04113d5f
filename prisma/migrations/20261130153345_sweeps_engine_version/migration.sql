-- CreateTable
CREATE TABLE "Sweep" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "datasetId" INTEGER NOT NULL,
    "axes" JSONB NOT NULL,
    "maxSamples" INTEGER,
    "backend" TEXT NOT NULL DEFAULT 'auto',
    "force" BOOLEAN NOT NULL DEFAULT false,
    "pointCount" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    CONSTRAINT "Sweep_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SweepJob" (
    "sweepId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "jobId" INTEGER,
    "points" INTEGER NOT NULL,
    "calibrations" INTEGER NOT NULL DEFAULT 0,
    "simulations" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("sweepId", "position"),
    CONSTRAINT "SweepJob_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SweepJob_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "SweepJob_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SweepPoint" (
    "sweepId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "conversionRunId" INTEGER NOT NULL,
    "cached" BOOLEAN NOT NULL DEFAULT false,

    PRIMARY KEY ("sweepId", "position"),
    CONSTRAINT "SweepPoint_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SweepPoint_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "SweepPoint_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- AlterTable (columns added in place, not by redefining the table: a redefinition would drop columns
-- that other migrations of the same day add to ConversionRun)
ALTER TABLE "ConversionRun" ADD COLUMN "sweepId" INTEGER REFERENCES "Sweep" ("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ConversionRun" ADD COLUMN "engineVersion" INTEGER;
CREATE INDEX "ConversionRun_sweepId_idx" ON "ConversionRun"("sweepId");

-- CreateIndex
CREATE INDEX "Sweep_datasetId_idx" ON "Sweep"("datasetId");

-- CreateIndex
CREATE INDEX "Sweep_status_idx" ON "Sweep"("status");

-- CreateIndex
CREATE UNIQUE INDEX "SweepJob_jobId_key" ON "SweepJob"("jobId");

-- CreateIndex
CREATE UNIQUE INDEX "SweepJob_sweepId_checkpointId_key" ON "SweepJob"("sweepId", "checkpointId");

-- CreateIndex
CREATE INDEX "SweepPoint_conversionRunId_idx" ON "SweepPoint"("conversionRunId");
