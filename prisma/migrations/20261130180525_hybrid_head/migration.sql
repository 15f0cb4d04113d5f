-- AlterTable: hybrid runs (an analog head after the last activation site, evaluated on ONNX Runtime
-- each step on the running mean of that site) and the head's op types. Additive: existing rows get
-- hybrid = false and no op list.
ALTER TABLE "ConversionRun" ADD COLUMN "hybrid" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ConversionRun" ADD COLUMN "analogOps" JSONB;
