-- CreateTable
CREATE TABLE "ConversionBatch" (
    "conversionRunId" INTEGER NOT NULL,
    "batch" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "sums" JSONB NOT NULL,
    "attempt" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("conversionRunId", "batch"),
    CONSTRAINT "ConversionBatch_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "host" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "backends" JSONB NOT NULL,
    "devices" JSONB NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "Worker_lastHeartbeatAt_idx" ON "Worker"("lastHeartbeatAt");
