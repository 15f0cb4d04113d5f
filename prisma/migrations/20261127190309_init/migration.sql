-- CreateTable
CREATE TABLE "Dataset" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Model" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "architecture" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "parameterCount" INTEGER,
    "macs" REAL,
    "pretraining" TEXT NOT NULL DEFAULT 'none',
    "spec" JSONB NOT NULL,
    "description" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "modelId" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "format" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "trainingRunId" INTEGER,
    "source" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" DATETIME,
    CONSTRAINT "Checkpoint_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Checkpoint_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "TrainingRun" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CheckpointAlias" (
    "modelId" INTEGER NOT NULL,
    "alias" TEXT NOT NULL,
    "checkpointId" INTEGER NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("modelId", "alias"),
    CONSTRAINT "CheckpointAlias_checkpointId_modelId_fkey" FOREIGN KEY ("checkpointId", "modelId") REFERENCES "Checkpoint" ("id", "modelId") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TrainingRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "bestMetric" REAL,
    "resultCheckpointId" INTEGER,
    "jobId" INTEGER,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "deletedAt" DATETIME,
    CONSTRAINT "TrainingRun_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "Model" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "TrainingRun_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "TrainingRun_initCheckpointId_fkey" FOREIGN KEY ("initCheckpointId") REFERENCES "Checkpoint" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "TrainingRun_resultCheckpointId_fkey" FOREIGN KEY ("resultCheckpointId") REFERENCES "Checkpoint" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "TrainingRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TrainingMetric" (
    "trainingRunId" INTEGER NOT NULL,
    "unit" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" REAL NOT NULL,

    PRIMARY KEY ("trainingRunId", "unit", "name", "step"),
    CONSTRAINT "TrainingMetric_trainingRunId_fkey" FOREIGN KEY ("trainingRunId") REFERENCES "TrainingRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConversionRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "checkpointId" INTEGER NOT NULL,
    "datasetId" INTEGER NOT NULL,
    "timeSteps" INTEGER NOT NULL,
    "percentile" REAL NOT NULL,
    "gamma" INTEGER NOT NULL,
    "channelWise" BOOLEAN NOT NULL,
    "maxPool" TEXT NOT NULL,
    "reset" TEXT NOT NULL,
    "vInit" REAL NOT NULL,
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
    "annValue" REAL,
    "best" REAL,
    "bestStep" INTEGER,
    "firstStepWithin1" INTEGER,
    "lossAtT" REAL,
    "sops" REAL,
    "annMacs" REAL,
    "energyRatio" REAL,
    "eAcPj" REAL,
    "eMacPj" REAL,
    "samples" INTEGER,
    "warnings" JSONB,
    "error" TEXT,
    "jobId" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "deletedAt" DATETIME,
    CONSTRAINT "ConversionRun_checkpointId_fkey" FOREIGN KEY ("checkpointId") REFERENCES "Checkpoint" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ConversionRun_datasetId_fkey" FOREIGN KEY ("datasetId") REFERENCES "Dataset" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "ConversionRun_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "StepMetric" (
    "conversionRunId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "step" INTEGER NOT NULL,
    "value" REAL NOT NULL,

    PRIMARY KEY ("conversionRunId", "name", "step"),
    CONSTRAINT "StepMetric_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LayerStat" (
    "conversionRunId" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "site" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "neurons" INTEGER NOT NULL,
    "lambda" REAL NOT NULL,
    "lambdaMin" REAL NOT NULL,
    "lambdaMax" REAL NOT NULL,
    "firingRate" REAL NOT NULL,
    "sops" REAL NOT NULL,

    PRIMARY KEY ("conversionRunId", "site"),
    CONSTRAINT "LayerStat_conversionRunId_fkey" FOREIGN KEY ("conversionRunId") REFERENCES "ConversionRun" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'QUEUED',
    "payload" JSONB NOT NULL,
    "result" JSONB,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "progress" REAL NOT NULL DEFAULT 0,
    "phase" TEXT,
    "epoch" INTEGER,
    "step" INTEGER,
    "etaSeconds" REAL,
    "message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 3,
    "workerId" TEXT,
    "heartbeatAt" DATETIME,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "startedAt" DATETIME,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "expiresAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "Dataset_name_key" ON "Dataset"("name");

-- CreateIndex
CREATE INDEX "Dataset_task_idx" ON "Dataset"("task");

-- CreateIndex
CREATE INDEX "Dataset_deletedAt_idx" ON "Dataset"("deletedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Model_name_key" ON "Model"("name");

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
