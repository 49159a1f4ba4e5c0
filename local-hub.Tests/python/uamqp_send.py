# The seed's telemetry send with uamqp (Debian's python3-uamqp 1.5.3): one message over SASL PLAIN.
# Prints the message state; uamqp reports SendComplete only when the hub's disposition is settled.
import os, sys, uamqp
from uamqp import authentication

host, port, device = os.environ["HUB_HOST"], int(os.environ["HUB_PORT"]), os.environ["DEVICE_ID"]
auth = authentication.SASLPlain("127.0.0.1", f"{device}@sas.{host.split('.')[0]}", os.environ["DEVICE_TOKEN"],
                                port=port, verify=os.environ["HUB_CA"])
target = f"amqps://127.0.0.1:{port}/devices/{device}/messages/events"
client = uamqp.SendClient(target, auth=auth, msg_timeout=10000)
message = uamqp.Message(b"from uamqp", properties=uamqp.message.MessageProperties(message_id="py-1"))
client.queue_message(message)
results = client.send_all_messages(close_on_done=True)
print("state:", results[0])
sys.exit(0 if str(results[0]).endswith("SendComplete") else 1)
