-- Sweeps (issue 12) and the engine version stored with each run; the PostgreSQL side of SQLite's
-- 20261130153345_sweeps_engine_version.
-- AlterTable
ALTER TABLE "ConversionRun" ADD COLUMN     "engineVersion" INTEGER,
ADD COLUMN     "sweepId" INTEGER;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" SERIAL NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "axes" JSONB NOT NULL,
    "maxSamples" INTEGER,
    "backend" TEXT NOT NULL DEFAULT 'auto',
    "force" BOOLEAN NOT NULL DEFAULT false,
    "pointCount" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
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

    CONSTRAINT "SweepJob_pkey" PRIMARY KEY ("sweepId","position")
);

-- CreateTable
CREATE TABLE "SweepPoint" (
    "sweepId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "conversionRunId" INTEGER NOT NULL,
    "cached" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "SweepPoint_pkey" PRIMARY KEY ("sweepId","position")
);

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

-- CreateIndex
CREATE INDEX "ConversionRun_sweepId_idx" ON "ConversionRun"("sweepId");

-- AddForeignKey
ALTER TABLE "ConversionRun" ADD CONSTRAINT "ConversionRun_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepJob" ADD CONSTRAINT "SweepJob_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepJob" ADD CONSTRAINT "SweepJob_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepJob" ADD CONSTRAINT "SweepJob_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepPoint" ADD CONSTRAINT "SweepPoint_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepPoint" ADD CONSTRAINT "SweepPoint_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SweepPoint" ADD CONSTRAINT "SweepPoint_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A sweep's pivot is cached by compare (data-version.ts): its tables bump the data version too
CREATE TRIGGER "Sweep_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Sweep" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
CREATE TRIGGER "SweepPoint_data_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "SweepPoint" FOR EACH STATEMENT EXECUTE FUNCTION "spikelab_data_changed"();
