-- Conversion options of the research workflow (calibration clip, segmentation readout, early exit)
-- and the early-exit outcome; the PostgreSQL side of SQLite's 20261130163648_research_options.
-- AlterTable
ALTER TABLE "ConversionRun" ADD COLUMN     "calibrationClip" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "earlyExit" JSONB,
ADD COLUMN     "earlyExitMargin" DOUBLE PRECISION,
ADD COLUMN     "earlyExitPatience" INTEGER,
ADD COLUMN     "readout" TEXT NOT NULL DEFAULT 'mean-probability';
