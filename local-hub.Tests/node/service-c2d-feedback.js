'use strict';
// (2) azure-iothub: send a C2D message with ack=full and wait for its feedback record.
const { Client } = require('azure-iothub');
const { Amqp } = require('azure-iothub/dist/amqp');
const { Message } = require('azure-iot-common');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const port = required('HUB_PORT');
const deviceId = required('DEVICE_ID');

// azure-iothub has no port option: keep the hub name for the token audience, connect to the local port.
class LocalAmqp extends Amqp {
  _getConnectionUri() { return `amqps://127.0.0.1:${port}`; }
}

const client = Client.fromConnectionString(required('SERVICE_CONNECTION_STRING'), LocalAmqp);
const messageId = 'node-c2d-' + Date.now();

client.open((err) => {
  if (err) return fail(err);
  client.getFeedbackReceiver((rErr, receiver) => {
    if (rErr) return fail(rErr);
    receiver.on('errorReceived', fail);
    receiver.on('message', (msg) => {
      const records = JSON.parse(msg.data.toString());
      console.log(`FEEDBACK_BATCH ${msg.data.toString()}`);
      const mine = records.find((r) => r.originalMessageId === messageId);
      if (!mine) return;
      receiver.complete(msg, () => {
        client.close(() => done(`FEEDBACK ${mine.statusCode} ${mine.originalMessageId} ${mine.deviceId}`));
      });
    });
    const message = new Message('hello from node');
    message.messageId = messageId;
    message.ack = 'full';
    message.properties.add('kind', 'greeting');
    client.send(deviceId, message, (sErr) => {
      if (sErr) return fail(sErr);
      console.log(`C2D_SENT ${messageId}`);
    });
  });
});
