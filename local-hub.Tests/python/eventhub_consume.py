# Reads the hub's telemetry with azure.eventhub 5.11.0's EventHubConsumerClient (Debian's python3-azure),
# over the Event Hubs-compatible connection string, TLS validated against the hub's CA.
# azure.eventhub's custom_endpoint_address forces AMQP over WebSockets, which the hub does not serve, so the
# script resolves the Event Hubs host name to 127.0.0.1:HUB_PORT inside this process instead (TLS still checks
# the certificate against that host name). Prints one line per event ("event <partition> <body>") and exits 0 once EXPECTED events arrived.
import os, socket, sys, threading
from azure.eventhub import EventHubConsumerClient

eh_host, hub_port = os.environ["EH_HOST"], int(os.environ["HUB_PORT"])
_resolve = socket.getaddrinfo
def _local(host, port, *args, **kwargs):
    return _resolve("127.0.0.1", hub_port, *args, **kwargs) if host == eh_host else _resolve(host, port, *args, **kwargs)
socket.getaddrinfo = _local

expected = int(os.environ["EXPECTED"])
seen = []
done = threading.Event()

def on_event(context, event):
    if event is None:
        return
    seen.append(event.body_as_str())
    print("event", context.partition_id, event.body_as_str(), event.system_properties.get(b"iothub-connection-device-id"), flush=True)
    if len(seen) >= expected:
        done.set()

client = EventHubConsumerClient.from_connection_string(
    os.environ["EH_CONNECTION_STRING"], consumer_group="$Default",
    connection_verify=os.environ["HUB_CA"])
worker = threading.Thread(target=lambda: client.receive(on_event=on_event, starting_position="-1", max_wait_time=1), daemon=True)
worker.start()
ok = done.wait(25)
client.close()
print("received", len(seen), "of", expected)
sys.exit(0 if ok else 1)
