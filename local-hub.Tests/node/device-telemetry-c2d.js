'use strict';
// (1) azure-iot-device over AMQP: send one telemetry message, then receive and complete one C2D message.
const { Client, Message } = require('azure-iot-device');
const { Amqp } = require('azure-iot-device-amqp');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const client = Client.fromConnectionString(required('DEVICE_CONNECTION_STRING'), Amqp);

client.on('message', (msg) => {
  console.log(`C2D_RECEIVED ${msg.messageId} ${msg.data.toString()}`);
  client.complete(msg, (err) => {
    if (err) return fail(err);
    console.log(`C2D_COMPLETED ${msg.messageId}`);
    client.close(() => done('OK'));
  });
});
client.on('error', fail);

client.open((err) => {
  if (err) return fail(err);
  const message = new Message(JSON.stringify({ temperature: 21.5 }));
  message.messageId = 'node-telemetry-1';
  message.contentType = 'application/json';
  message.contentEncoding = 'utf-8';
  message.properties.add('source', 'node');
  client.sendEvent(message, (sendErr) => {
    if (sendErr) return fail(sendErr);
    console.log('TELEMETRY_SENT node-telemetry-1');
  });
});
