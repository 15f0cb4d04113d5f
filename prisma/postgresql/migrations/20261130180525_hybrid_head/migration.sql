-- AlterTable
ALTER TABLE "ConversionRun" ADD COLUMN     "analogOps" JSONB,
ADD COLUMN     "hybrid" BOOLEAN NOT NULL DEFAULT false;
