'use strict';
// azure-iot-device over AMQP with an X.509 identity: `x509=true` in the connection string, the certificate and key
// through setOptions (mutual TLS, no SASL, no CBS). Sends one telemetry message and reads its twin.
// EXPECT_REFUSAL=1: the hub must refuse the certificate; the script prints OPEN_REFUSED and the error.
const fs = require('fs');
const { Client, Message } = require('azure-iot-device');
const { Amqp } = require('azure-iot-device-amqp');
const { NoRetry } = require('azure-iot-common');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const client = Client.fromConnectionString(required('DEVICE_CONNECTION_STRING'), Amqp);
client.setRetryPolicy(new NoRetry()); // a refused certificate must fail now, not after minutes of retries
client.on('error', (err) => console.log(`CLIENT_ERROR ${err && err.message}`));

client.setOptions({ cert: fs.readFileSync(required('CERT_PATH'), 'utf8'), key: fs.readFileSync(required('KEY_PATH'), 'utf8') }, (optErr) => {
  if (optErr) return fail(optErr);
  client.open((err) => {
    if (process.env.EXPECT_REFUSAL === '1') {
      if (!err) return fail(new Error('the hub accepted a certificate it should refuse'));
      return done(`OPEN_REFUSED ${err.constructor.name}: ${err.message}`);
    }
    if (err) return fail(err);
    const message = new Message(JSON.stringify({ x509: true }));
    message.messageId = 'node-x509-1';
    client.sendEvent(message, (sendErr) => {
      if (sendErr) return fail(sendErr);
      console.log('TELEMETRY_SENT node-x509-1');
      client.getTwin((twinErr, twin) => {
        if (twinErr) return fail(twinErr);
        console.log(`TWIN_OK ${JSON.stringify(twin.properties.reported)}`);
        client.close(() => done('OK'));
      });
    });
  });
});
