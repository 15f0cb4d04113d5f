-- AlterTable
ALTER TABLE "ConversionRun" ADD COLUMN     "calibrationClip" TEXT NOT NULL DEFAULT 'none',
ADD COLUMN     "earlyExit" JSONB,
ADD COLUMN     "earlyExitMargin" DOUBLE PRECISION,
ADD COLUMN     "earlyExitPatience" INTEGER,
ADD COLUMN     "readout" TEXT NOT NULL DEFAULT 'mean-probability';
