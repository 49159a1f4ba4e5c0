# The seed's telemetry read with uamqp (Debian's python3-uamqp 1.5.3): a receiver on the IoT Hub path
# /messages/events/ConsumerGroups/$Default/Partitions/<p> with the seed's unquoted sequence-number filter gets
# LinkRedirect; the seed then builds SASTokenAuth.from_shared_access_key(redirect.address, policy, key), which
# negotiates SASL MSSBCBS and puts the token on $cbs, and reads from the redirected address.
# The redirect names the Event Hubs host on 5671; custom_endpoint_hostname/port send the socket to 127.0.0.1
# (TLS checks the certificate against 127.0.0.1, one of its names). Prints each body; exits 0 after EXPECTED.
import os, sys, uamqp
from uamqp import authentication, errors

host, port = os.environ["HUB_HOST"], int(os.environ["HUB_PORT"])
policy, key, partition = os.environ["POLICY"], os.environ["POLICY_KEY"], os.environ["PARTITION"]
expected = int(os.environ["EXPECTED"])
endpoint_filter = b"amqp.annotation.x-opt-sequence-number > -1"

def set_endpoint_filter(uri, endpoint_filter=b""):
    source_uri = uamqp.address.Source(uri)
    source_uri.set_filter(endpoint_filter)
    return source_uri

plain = authentication.SASLPlain("127.0.0.1", f"{policy}@sas.root.{host.split('.')[0]}", os.environ["POLICY_TOKEN"],
                                 port=port, verify=os.environ["HUB_CA"])
uri = f"amqps://127.0.0.1:{port}/messages/events/ConsumerGroups/$Default/Partitions/{partition}"
receive_client = uamqp.ReceiveClient(set_endpoint_filter(uri, endpoint_filter), auth=plain, timeout=3000)
try:
    receive_client.receive_message_batch(max_batch_size=5)
    print("no redirect"); sys.exit(1)
except errors.LinkRedirect as redirect:
    receive_client.close()
    address = redirect.address.decode() if isinstance(redirect.address, bytes) else str(redirect.address)
    print("redirect:", address, flush=True)
    sas_auth = authentication.SASTokenAuth.from_shared_access_key(
        address, policy, key, port=port, verify=os.environ["HUB_CA"], custom_endpoint_hostname="127.0.0.1")
    receive_client = uamqp.ReceiveClient(set_endpoint_filter(address, endpoint_filter), auth=sas_auth, timeout=3000)

seen = 0
for _ in range(10):
    for msg in receive_client.receive_message_batch(max_batch_size=5):
        print("body", b"".join(msg.get_data()).decode(), msg.annotations[b"x-opt-sequence-number"], flush=True)
        seen += 1
    if seen >= expected:
        break
receive_client.close()
sys.exit(0 if seen >= expected else 1)
