-- AlterTable
ALTER TABLE "ConversionRun" ADD COLUMN "panels" JSONB;
