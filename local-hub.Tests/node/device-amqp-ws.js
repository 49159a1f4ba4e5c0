'use strict';
// (4) azure-iot-device over AMQP over WebSockets (AmqpWs): telemetry, then one C2D message completed.
// AmqpWs always dials port 443; the subclass only moves the port to the local hub's WebSocket endpoint.
const { Client, Message } = require('azure-iot-device');
const { AmqpWs } = require('azure-iot-device-amqp');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const wsPort = Number(required('WS_PORT'));

class LocalAmqpWs extends AmqpWs {
  _getConnectionUri() {
    return `wss://127.0.0.1:${wsPort}/$iothub/websocket`;
  }
}

const client = Client.fromConnectionString(required('DEVICE_CONNECTION_STRING'), LocalAmqpWs);

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
  const message = new Message(JSON.stringify({ over: 'websockets' }));
  message.messageId = 'node-ws-1';
  message.properties.add('transport', 'AmqpWs');
  client.sendEvent(message, (sendErr) => {
    if (sendErr) return fail(sendErr);
    console.log('TELEMETRY_SENT node-ws-1');
  });
});
