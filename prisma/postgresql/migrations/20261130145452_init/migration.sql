-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Dataset" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "liveName" TEXT,
    "format" TEXT NOT NULL,
    "path" TEXT,
    "task" TEXT NOT NULL,
    "options" JSONB,
    "imageShape" JSONB,
    "numClasses" INTEGER,
    "trainSamples" INTEGER,
    "testSamples" INTEGER,
    "synthetic" BOOLEAN NOT NULL DEFAULT false,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Dataset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Model" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "liveName" TEXT,
    "architecture" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "parameterCount" INTEGER,
    "macs" DOUBLE PRECISION,
    "pretraining" TEXT NOT NULL DEFAULT 'none',
    "spec" JSONB NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Model_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" SERIAL NOT NULL,
    "modelId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "format" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "trainingRunId" INTEGER,
    "source" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CheckpointAlias" (
    "modelId" INTEGER NOT NULL,
    "alias" TEXT NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CheckpointAlias_pkey" PRIMARY KEY ("modelId","alias")
);

-- CreateTable
CREATE TABLE "TrainingRun" (
    "id" SERIAL NOT NULL,
    "modelId" INTEGER NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "initCheckpointId" INTEGER,
    "config" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "backend" TEXT NOT NULL DEFAULT 'auto',
    "backendUsed" TEXT,
    "epochsCompleted" INTEGER NOT NULL DEFAULT 0,
    "metricName" TEXT,
    "bestEpoch" INTEGER,
    "bestMetric" DOUBLE PRECISION,
    "resultCheckpointId" INTEGER,
    "jobId" INTEGER,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "TrainingRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingMetric" (
    "trainingRunId" INTEGER NOT NULL,
    "unit" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "TrainingMetric_pkey" PRIMARY KEY ("trainingRunId","unit","name","step")
);

-- CreateTable
CREATE TABLE "ConversionRun" (
    "id" SERIAL NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "timeSteps" INTEGER NOT NULL,
    "percentile" DOUBLE PRECISION NOT NULL,
    "gamma" INTEGER NOT NULL,
    "channelWise" BOOLEAN NOT NULL,
    "maxPool" TEXT NOT NULL,
    "reset" TEXT NOT NULL,
    "vInit" DOUBLE PRECISION NOT NULL,
    "calibrationBatches" INTEGER NOT NULL,
    "batchSize" INTEGER NOT NULL,
    "seed" INTEGER NOT NULL,
    "backend" TEXT NOT NULL DEFAULT 'auto',
    "backendUsed" TEXT,
    "maxSamples" INTEGER,
    "task" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "annMetrics" JSONB,
    "primaryMetric" TEXT,
    "annValue" DOUBLE PRECISION,
    "best" DOUBLE PRECISION,
    "bestStep" INTEGER,
    "firstStepWithin1" INTEGER,
    "lossAtT" DOUBLE PRECISION,
    "sops" DOUBLE PRECISION,
    "annMacs" DOUBLE PRECISION,
    "energyRatio" DOUBLE PRECISION,
    "eAcPj" DOUBLE PRECISION,
    "eMacPj" DOUBLE PRECISION,
    "samples" INTEGER,
    "warnings" JSONB,
    "panels" JSONB,
    "error" TEXT,
    "jobId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "ConversionRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StepMetric" (
    "conversionRunId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "StepMetric_pkey" PRIMARY KEY ("conversionRunId","name","step")
);

-- CreateTable
CREATE TABLE "LayerStat" (
    "conversionRunId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "neurons" INTEGER NOT NULL,
    "lambda" DOUBLE PRECISION NOT NULL,
    "lambdaMin" DOUBLE PRECISION NOT NULL,
    "lambdaMax" DOUBLE PRECISION NOT NULL,
    "firingRate" DOUBLE PRECISION NOT NULL,
    "sops" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "LayerStat_pkey" PRIMARY KEY ("conversionRunId","site")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "payload" JSONB NOT NULL,
    "result" JSONB,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "phase" TEXT,
    "epoch" INTEGER,
    "step" INTEGER,
    "etaSeconds" DOUBLE PRECISION,
    "message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "workerId" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_liveName_key" ON "Dataset"("liveName");

-- CreateIndex
CREATE INDEX "Dataset_name_idx" ON "Dataset"("name");

-- CreateIndex
CREATE INDEX "Dataset_task_idx" ON "Dataset"("task");

-- CreateIndex
CREATE INDEX "Dataset_deletedAt_idx" ON "Dataset"("deletedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Model_liveName_key" ON "Model"("liveName");

-- CreateIndex
CREATE INDEX "Model_name_idx" ON "Model"("name");

-- CreateIndex
CREATE INDEX "Model_architecture_idx" ON "Model"("architecture");

-- CreateIndex
CREATE INDEX "Model_family_idx" ON "Model"("family");

-- CreateIndex
CREATE INDEX "Model_pretraining_idx" ON "Model"("pretraining");

-- CreateIndex
CREATE INDEX "Model_deletedAt_idx" ON "Model"("deletedAt");

-- CreateIndex
CREATE INDEX "Checkpoint_modelId_createdAt_idx" ON "Checkpoint"("modelId", "createdAt");

-- CreateIndex
CREATE INDEX "Checkpoint_sha256_idx" ON "Checkpoint"("sha256");

-- CreateIndex
CREATE INDEX "Checkpoint_trainingRunId_idx" ON "Checkpoint"("trainingRunId");

-- CreateIndex
CREATE UNIQUE INDEX "Checkpoint_id_modelId_key" ON "Checkpoint"("id", "modelId");

-- CreateIndex
CREATE INDEX "CheckpointAlias_checkpointId_idx" ON "CheckpointAlias"("checkpointId");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingRun_resultCheckpointId_key" ON "TrainingRun"("resultCheckpointId");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingRun_jobId_key" ON "TrainingRun"("jobId");

-- CreateIndex
CREATE INDEX "TrainingRun_modelId_idx" ON "TrainingRun"("modelId");

-- CreateIndex
CREATE INDEX "TrainingRun_datasetId_idx" ON "TrainingRun"("datasetId");

-- CreateIndex
CREATE INDEX "TrainingRun_status_idx" ON "TrainingRun"("status");

-- CreateIndex
CREATE UNIQUE INDEX "ConversionRun_jobId_key" ON "ConversionRun"("jobId");

-- CreateIndex
CREATE INDEX "ConversionRun_checkpointId_idx" ON "ConversionRun"("checkpointId");

-- CreateIndex
CREATE INDEX "ConversionRun_datasetId_idx" ON "ConversionRun"("datasetId");

-- CreateIndex
CREATE INDEX "ConversionRun_status_idx" ON "ConversionRun"("status");

-- CreateIndex
CREATE INDEX "ConversionRun_timeSteps_idx" ON "ConversionRun"("timeSteps");

-- CreateIndex
CREATE INDEX "StepMetric_name_step_idx" ON "StepMetric"("name", "step");

-- CreateIndex
CREATE UNIQUE INDEX "LayerStat_conversionRunId_position_key" ON "LayerStat"("conversionRunId", "position");

-- CreateIndex
CREATE INDEX "Job_status_priority_createdAt_idx" ON "Job"("status", "priority", "createdAt");

-- CreateIndex
CREATE INDEX "Job_kind_status_idx" ON "Job"("kind", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_hash_key" ON "ApiToken"("hash");

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "TrainingRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CheckpointAlias" ADD CONSTRAINT "CheckpointAlias_checkpointId_modelId_fkey" FOREIGN KEY ("checkpointId", "modelId") REFERENCES "Checkpoint"("id", "modelId") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_initCheckpointId_fkey" FOREIGN KEY ("initCheckpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_resultCheckpointId_fkey" FOREIGN KEY ("resultCheckpointId") REFERENCES "Checkpoint"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRun" ADD CONSTRAINT "TrainingRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingMetric" ADD CONSTRAINT "TrainingMetric_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "TrainingRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversionRun" ADD CONSTRAINT "ConversionRun_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversionRun" ADD CONSTRAINT "ConversionRun_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversionRun" ADD CONSTRAINT "ConversionRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StepMetric" ADD CONSTRAINT "StepMetric_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LayerStat" ADD CONSTRAINT "LayerStat_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
