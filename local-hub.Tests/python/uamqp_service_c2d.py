# The seed's service C2D path with uamqp (Debian's python3-uamqp 1.5.3): SASL PLAIN as {policy}@sas.root.{hub},
# a send on /messages/devicebound with `to` and iothub-ack=full, then the feedback receiver on
# /messages/serviceBound/feedback. Prints "feedback <json>" and exits 0 once the record for the message arrives.
import json, os, sys, time, uamqp
from uamqp import authentication

host, port = os.environ["HUB_HOST"], int(os.environ["HUB_PORT"])
device, msg_id = os.environ["DEVICE_ID"], os.environ["MESSAGE_ID"]

def auth():
    return authentication.SASLPlain("127.0.0.1", f"{os.environ['POLICY']}@sas.root.{host.split('.')[0]}",
                                    os.environ["POLICY_TOKEN"], port=port, verify=os.environ["HUB_CA"])

send_client = uamqp.SendClient(f"amqps://127.0.0.1:{port}/messages/devicebound", auth=auth(), msg_timeout=10000)
msg_props = uamqp.message.MessageProperties(message_id=msg_id, to=f"/devices/{device}/messages/devicebound")
send_client.queue_message(uamqp.Message(b"from the seed's service", properties=msg_props,
                                        application_properties={"iothub-ack": "full"}))
results = send_client.send_all_messages(close_on_done=True)
print("send:", results[0], flush=True)
if not str(results[0]).endswith("SendComplete"):
    sys.exit(1)

receive_client = uamqp.ReceiveClient(f"amqps://127.0.0.1:{port}/messages/serviceBound/feedback", auth=auth(), timeout=2000)
deadline = time.time() + 25
try:
    while time.time() < deadline:
        for msg in receive_client.receive_message_batch(max_batch_size=10):
            if msg.properties.content_type == b"application/vnd.microsoft.iothub.feedback.json":
                records = json.loads(b"".join(msg.get_data()))
                msg.accept()
                print("feedback", json.dumps(records), flush=True)
                if any(r["originalMessageId"] == msg_id for r in records):
                    sys.exit(0)
finally:
    receive_client.close()
sys.exit(1)
