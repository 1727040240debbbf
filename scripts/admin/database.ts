import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Service } from 'electrodb';
import { adjustmentEntity } from '../../service/src/db/admin-entities/adjustment.js';
import { seedEntity } from '../../service/src/db/admin-entities/seed.js';
import { electroClient } from '../../service/src/db/electro-client.js';
import { counterEntity } from '../../service/src/db/entities/counter.js';
import { dailyEntity } from '../../service/src/db/entities/daily.js';
import { linkDayEntity, linkEntity } from '../../service/src/db/entities/link.js';
import { siteEntity } from '../../service/src/db/entities/site.js';

/**
 * The entities the admin CLI reads and writes: the Lambda's counters, days and site records,
 * and the audit trail only the CLI keeps. The same entity definitions as the Lambda's
 * (`service/src/db`), so a count the CLI writes is exactly the item the Lambda would.
 */
export function createAdminDatabase(client: DynamoDBClient, table: string) {
  return new Service(
    {
      counter: counterEntity(),
      daily: dailyEntity(),
      adjustment: adjustmentEntity(),
      seed: seedEntity(),
      site: siteEntity(),
      link: linkEntity(),
      linkDay: linkDayEntity(),
    },
    { client: electroClient(client), table },
  );
}

export type AdminDatabase = ReturnType<typeof createAdminDatabase>;
