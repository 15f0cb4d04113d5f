-- AlterTable: conversion options of the research workflow (calibration clip, segmentation readout,
-- early exit) and the early-exit outcome. Additive: existing rows get the defaults / null.
ALTER TABLE "ConversionRun" ADD COLUMN "calibrationClip" TEXT NOT NULL DEFAULT 'none';
ALTER TABLE "ConversionRun" ADD COLUMN "readout" TEXT NOT NULL DEFAULT 'mean-probability';
ALTER TABLE "ConversionRun" ADD COLUMN "earlyExitPatience" INTEGER;
ALTER TABLE "ConversionRun" ADD COLUMN "earlyExitMargin" REAL;
ALTER TABLE "ConversionRun" ADD COLUMN "earlyExit" JSONB;
