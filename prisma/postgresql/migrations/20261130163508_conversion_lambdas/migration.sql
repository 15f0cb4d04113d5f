-- AlterTable
ALTER TABLE "ConversionRun" ADD COLUMN     "lambdas" JSONB;
