-- CreateTable
CREATE TABLE "MetricSummary" (
    "conversionRunId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "annValue" REAL,
    "best" REAL,
    "bestStep" INTEGER,
    "firstStepWithin1" INTEGER,
    "lossAtT" REAL,

    PRIMARY KEY ("conversionRunId", "name"),
    CONSTRAINT "MetricSummary_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
