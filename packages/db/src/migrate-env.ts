// The environment of the migrations command (migrate-cli.ts, the compose `migrate` service).
import { z } from 'zod';

export const migrateEnv = z.object({
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is not set (eval "$(scripts/services.sh env)")'),
});
