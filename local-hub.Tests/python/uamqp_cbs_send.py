# The seed's token auth with uamqp (Debian's python3-uamqp 1.5.3): SASTokenAuth negotiates SASL MSSBCBS,
# then puts the device token on $cbs before the telemetry link. Exits 0 when the send completes.
import datetime, os, sys, uamqp
from uamqp import authentication

host, port, device = os.environ["HUB_HOST"], int(os.environ["HUB_PORT"]), os.environ["DEVICE_ID"]
target = f"amqps://127.0.0.1:{port}/devices/{device}/messages/events"
auth = authentication.SASTokenAuth(f"{host}/devices/{device}", target, os.environ["DEVICE_TOKEN"],
                                   expires_in=datetime.timedelta(hours=1), port=port, verify=os.environ["HUB_CA"])
client = uamqp.SendClient(target, auth=auth, msg_timeout=10000)
client.queue_message(uamqp.Message(b"via MSSBCBS", properties=uamqp.message.MessageProperties(message_id="cbs-1")))
results = client.send_all_messages(close_on_done=True)
print("state:", results[0])
sys.exit(0 if str(results[0]).endswith("SendComplete") else 1)
