'use strict';
// azure-iot-provisioning-device over AMQP with X.509 (azure-iot-security-x509): TLS client certificate, no SASL.
const fs = require('fs');
const { ProvisioningDeviceClient } = require('azure-iot-provisioning-device');
const { Amqp: ProvisioningTransport } = require('azure-iot-provisioning-device-amqp');
const { X509Security } = require('azure-iot-security-x509');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const registrationId = required('REGISTRATION_ID');
const security = new X509Security(registrationId, {
  cert: fs.readFileSync(required('CERT_FILE'), 'utf8'),
  key: fs.readFileSync(required('KEY_FILE'), 'utf8'),
});
const provisioning = ProvisioningDeviceClient.create(required('PROVISIONING_HOST'), required('ID_SCOPE'), new ProvisioningTransport(), security);
provisioning.register((err, result) => {
  if (err) {
    console.log(`REGISTER_FAILED ${err.name || (err.constructor && err.constructor.name)} ${err.message || ""}`);
    return process.env.EXPECT_FAILURE ? done('OK') : fail(err);
  }
  console.log(`ASSIGNED ${result.assignedHub} ${result.deviceId}`);
  done('OK');
});
