'use strict';
// (3) Read telemetry as Microsoft's sample does: ask IoT Hub for the redirect (rhea-promise, SASL PLAIN),
// then read the Event Hubs-compatible endpoint with @azure/event-hubs from a sequence number.
const crypto = require('crypto');
const { Connection } = require('rhea-promise');
const { EventHubConsumerClient } = require('@azure/event-hubs');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 60));
const port = Number(required('HUB_PORT'));
const cs = Object.fromEntries(required('SERVICE_CONNECTION_STRING').split(';').map((kv) => {
  const i = kv.indexOf('=');
  return [kv.slice(0, i), kv.slice(i + 1)];
}));
const partitionId = required('PARTITION_ID');
const afterSequence = Number(required('AFTER_SEQUENCE'));
const expected = Number(required('EXPECTED_COUNT'));

function sasToken(resource, keyName, key, seconds) {
  const sr = encodeURIComponent(resource);
  const se = Math.round(Date.now() / 1000) + seconds;
  const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&skn=${keyName}&se=${se}`;
}

async function redirect() {
  const host = cs.HostName;
  const connection = new Connection({
    transport: 'tls', host: '127.0.0.1', hostname: host, port, reconnect: false,
    username: `${cs.SharedAccessKeyName}@sas.root.${host.split('.')[0]}`,
    password: sasToken(`${host}/messages/events`, cs.SharedAccessKeyName, cs.SharedAccessKey, 300),
  });
  await connection.open();
  try {
    const receiver = await connection.createReceiver({ source: { address: `amqps://${host}/messages/events/$management` } });
    await receiver.close();
    throw new Error('expected a redirect');
  } catch (err) {
    if (err.condition !== 'amqp:link:redirect') throw err;
    console.log(`REDIRECT ${err.info.hostname} ${err.info.address}`);
    return err.info;
  } finally {
    await connection.close().catch(() => {});
  }
}

async function main() {
  const info = await redirect();
  const entity = /:\d+\/(.*)\/\$management/.exec(info.address)[1];
  const ehConnectionString = `Endpoint=sb://${info.hostname}/;EntityPath=${entity};` +
    `SharedAccessKeyName=${cs.SharedAccessKeyName};SharedAccessKey=${cs.SharedAccessKey}`;
  const consumer = new EventHubConsumerClient('$Default', ehConnectionString,
    { customEndpointAddress: `amqps://127.0.0.1:${port}` });
  const ids = await consumer.getPartitionIds();
  console.log(`PARTITIONS ${ids.join(',')}`);
  const seen = [];
  const subscription = consumer.subscribe(partitionId, {
    processEvents: async (events) => {
      for (const e of events) {
        seen.push(e.sequenceNumber);
        console.log(`EVENT ${e.sequenceNumber} ${e.systemProperties['iothub-connection-device-id']} ${JSON.stringify(e.body)}`);
      }
      if (seen.length >= expected) {
        await subscription.close();
        await consumer.close();
        done(`SEQUENCES ${seen.join(',')}`);
      }
    },
    processError: async (err) => { console.error('processError', err.message); },
  }, { startPosition: { sequenceNumber: afterSequence, isInclusive: false }, maxWaitTimeInSeconds: 1 });
}

main().catch(fail);
