-- CreateTable
CREATE TABLE "Instance" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- This database's instance id (the default queue name is derived from it).
INSERT INTO "Instance" ("id") VALUES (gen_random_uuid());
