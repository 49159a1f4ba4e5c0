'use strict';
// azure-iot-device (AMQP) as device or module and azure-iothub (REST) as the service, in one process:
// method handler + invokeDeviceMethod, getTwin, reported patch seen by Registry.getTwin, desired patch by updateTwin
// arriving as a 'properties.desired' event.
const { Client, ModuleClient } = require('azure-iot-device');
const { Amqp } = require('azure-iot-device-amqp');
const iothub = require('azure-iothub');
const { RestApiClient } = require('azure-iothub/dist/common-http/rest_api_client');
const { Http } = require('azure-iothub/dist/common-http/http');
const { required, deadline, done, fail } = require('./common');

deadline(Number(process.env.SCRIPT_TIMEOUT_SECONDS || 40));
const deviceId = required('DEVICE_ID');
const moduleId = process.env.MODULE_ID || undefined;
const restPort = Number(required('REST_PORT'));

// The hand-written Http takes the port only from request options (wire-2 §8.5).
class PortHttp extends Http {
  buildRequest(method, path, headers, host, options, cb) {
    if (typeof options === 'function') { cb = options; options = undefined; }
    return super.buildRequest(method, path, headers, host, { port: restPort }, cb);
  }
}
const cfg = { host: 'localhost', sharedAccessSignature: required('SERVICE_TOKEN') };
const rest = new RestApiClient(cfg, 'azure-iothub/test', new PortHttp());
const registry = new iothub.Registry(cfg, rest);
const service = new iothub.Client({ }, new RestApiClient(cfg, 'azure-iothub/test', new PortHttp()));

const cs = required('DEVICE_CONNECTION_STRING');
const device = moduleId ? ModuleClient.fromConnectionString(cs, Amqp) : Client.fromConnectionString(cs, Amqp);
device.on('error', fail);

const onMethod = (req, res) => {
  console.log(`METHOD ${req.methodName} ${JSON.stringify(req.payload)}`);
  res.send(201, { echoed: req.payload }, (e) => { if (e) fail(e); });
};
const getTwin = (cb) => moduleId ? registry.getModuleTwin(deviceId, moduleId, cb) : registry.getTwin(deviceId, cb);
const updateTwin = (patch, etag, cb) => moduleId
  ? registry.updateModuleTwin(deviceId, moduleId, patch, etag, cb) : registry.updateTwin(deviceId, patch, etag, cb);
const invoke = (params, cb) => moduleId
  ? service.invokeDeviceMethod(deviceId, moduleId, params, cb) : service.invokeDeviceMethod(deviceId, params, cb);

device.open((err) => {
  if (err) return fail(err);
  if (moduleId) device.onMethod('echo', onMethod); else device.onDeviceMethod('echo', onMethod);
  device.getTwin((twinErr, twin) => {
    if (twinErr) return fail(twinErr);
    console.log(`DEVICE_TWIN desired.$version=${twin.properties.desired.$version} reported.$version=${twin.properties.reported.$version}`);
    let sawPatch = false;
    twin.on('properties.desired', (delta) => {
      console.log(`DESIRED ${JSON.stringify(delta)}`);
      if (delta.fanSpeed !== 3) return;   // the initial event carries the whole desired section
      sawPatch = true;
      device.close(() => done('OK'));
    });
    twin.properties.reported.update({ firmware: '1.2.3' }, (upErr) => {
      if (upErr) return fail(upErr);
      console.log('REPORTED_UPDATED');
      invoke({ methodName: 'echo', payload: { n: 7 }, responseTimeoutInSeconds: 10 }, (mErr, result) => {
        if (mErr) return fail(mErr);
        console.log(`INVOKE_RESULT ${JSON.stringify(result)}`);
        getTwin((gErr, serviceTwin) => {
          if (gErr) return fail(gErr);
          console.log(`SERVICE_TWIN reported.firmware=${serviceTwin.properties.reported.firmware} etag=${serviceTwin.etag}`);
          updateTwin({ properties: { desired: { fanSpeed: 3 } } }, serviceTwin.etag, (uErr, updated) => {
            if (uErr) return fail(uErr);
            console.log(`TWIN_UPDATED desired.$version=${updated.properties.desired.$version}`);
            if (sawPatch) return;
          });
        });
      });
    });
  });
});
