'use strict';
// (5) Read a partition from the start with @azure/event-hubs (custom endpoint, the hub's CA trusted) and print each
// event's own properties: checks that the messages of a batched transfer come out one event each.
const { EventHubConsumerClient, earliestEventPosition } = require('@azure/event-hubs');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 60));
const port = Number(required('HUB_PORT'));
const partitionId = required('PARTITION_ID');
const expected = Number(required('EXPECTED_COUNT'));

async function main() {
  const consumer = new EventHubConsumerClient('$Default', required('EVENTHUB_CONNECTION_STRING'),
    { customEndpointAddress: `amqps://127.0.0.1:${port}` });
  let seen = 0;
  const subscription = consumer.subscribe(partitionId, {
    processEvents: async (events) => {
      for (const e of events) {
        seen++;
        const body = Buffer.isBuffer(e.body) ? e.body.toString('hex') : JSON.stringify(e.body);
        console.log(`EVENT ${e.messageId} corr=${e.correlationId} type=${e.contentType} app=${JSON.stringify(e.properties || {})} ` +
          `device=${e.systemProperties['iothub-connection-device-id']} body=${body}`);
      }
      if (seen >= expected) {
        await subscription.close();
        await consumer.close();
        done(`COUNT ${seen}`);
      }
    },
    processError: async (err) => { console.error('processError', err.message); },
  }, { startPosition: earliestEventPosition, maxWaitTimeInSeconds: 1 });
}

main().catch(fail);
