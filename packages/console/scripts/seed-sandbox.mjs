#!/usr/bin/env node
// Makes a few days' worth of story in the sandbox `ssmhub local up` started, so the console has
// something to show: changes in two member accounts, a parameter deleted and created again, a
// label, and a path of many names. Values are made up. Run from the repository root.
import { setTimeout as sleep } from 'node:timers/promises';
import { SandboxParameterStore, localInfo, localPump } from '@ssmhub/sandbox';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const info = await localInfo();
const [first, second] = info.memberAccounts;
const region = info.regions[0];
const store = new SandboxParameterStore(info);
const pumpAll = async () => {
  for (let i = 0; i < 50; i += 1) {
    const report = await localPump();
    if (report.forwarded === 0 && report.delivered === 0 && report.failedDeliveries === 0) return;
  }
};

await store.put(first, region, { name: '/prod/db/url', value: 'postgres://db-1/app', type: 'SecureString' });
await store.put(first, region, { name: '/prod/db/pool-size', value: '10' });
await store.put(first, region, { name: '/prod/feature/new-checkout', value: 'off' });
await store.put(second, region, { name: '/billing/api/endpoint', value: 'https://billing.internal' });
await pumpAll();
await sleep(1500);
await store.put(first, region, { name: '/prod/db/url', value: 'postgres://db-2/app', overwrite: true });
await store.label(first, region, '/prod/db/url', 2, ['live']);
await store.put(first, region, { name: '/prod/feature/new-checkout', value: 'on', overwrite: true });
await pumpAll();
await store.delete(first, region, '/prod/db/url');
await sleep(1500);
await store.put(first, region, { name: '/prod/db/url', value: 'postgres://db-3/app', type: 'SecureString' });
for (let i = 0; i < 40; i += 1) {
  await store.put(second, region, { name: `/billing/jobs/job-${i}/schedule`, value: `cron(${i} 3 * * ? *)` });
}
await pumpAll();
store.destroy();
console.log(JSON.stringify({ seeded: [first, second], region, then: 'npx ssmhub console' }));
