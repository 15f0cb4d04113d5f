-- CreateTable
CREATE TABLE "ConversionBatch" (
    "conversionRunId" INTEGER NOT NULL,
    "batch" INTEGER NOT NULL,
    "samples" INTEGER NOT NULL,
    "sums" JSONB NOT NULL,
    "attempt" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversionBatch_pkey" PRIMARY KEY ("conversionRunId","batch")
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "backends" JSONB NOT NULL,
    "devices" JSONB NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Worker_lastHeartbeatAt_idx" ON "Worker"("lastHeartbeatAt");

-- AddForeignKey
ALTER TABLE "ConversionBatch" ADD CONSTRAINT "ConversionBatch_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
