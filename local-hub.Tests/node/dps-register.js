'use strict';
// azure-iot-provisioning-device over AMQP with a symmetric key (individual, or derived from a group key as Azure's
// register_symkeygroup sample does): register with the local DPS, then connect to the assigned hub and send telemetry.
const crypto = require('crypto');
const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
const { Amqp: ProvisioningTransport } = require('azure-iot-provisioning-device-amqp');
const { SymmetricKeySecurityClient } = require('azure-iot-security-symmetric-key');
const { Client, Message } = require('azure-iot-device');
const { Amqp } = require('azure-iot-device-amqp');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const registrationId = required('REGISTRATION_ID');
const key = process.env.GROUP_KEY
  ? crypto.createHmac('SHA256', Buffer.from(process.env.GROUP_KEY, 'base64')).update(registrationId, 'utf8').digest('base64')
  : required('SYMMETRIC_KEY');
const security = new SymmetricKeySecurityClient(registrationId, key);
// The transport connects to amqps://{provisioningHost}: "127.0.0.1:PORT" reaches the local DPS on its port.
const provisioning = ProvisioningDeviceClient.create(required('PROVISIONING_HOST'), required('ID_SCOPE'), new ProvisioningTransport(), security);
if (process.env.PAYLOAD) provisioning.setProvisioningPayload(JSON.parse(process.env.PAYLOAD));

provisioning.register((err, result) => {
  if (err) {
    const status = err.result && err.result.status;
    console.log(`REGISTER_FAILED ${err.name} ${status || ''}`);
    return process.env.EXPECT_FAILURE ? done('OK') : fail(err);
  }
  console.log(`ASSIGNED ${result.assignedHub} ${result.deviceId} ${JSON.stringify(result.payload || null)}`);
  const cs = `HostName=${result.assignedHub};DeviceId=${result.deviceId};SharedAccessKey=${key};GatewayHostName=${required('GATEWAY')}`;
  const client = Client.fromConnectionString(cs, Amqp);
  client.open((openErr) => {
    if (openErr) return fail(openErr);
    const message = new Message(JSON.stringify({ provisioned: true }));
    message.messageId = `dps-${registrationId}`;
    client.sendEvent(message, (sendErr) => {
      if (sendErr) return fail(sendErr);
      client.close(() => done('OK'));
    });
  });
});
