"""Talk to the assistant from the terminal (through Rasa's REST channel)."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
import uuid


def send(text: str, sender: str, base_url: str) -> list[dict]:
    request = urllib.request.Request(
        f"{base_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text,
                         "metadata": {"channel": "terminal"}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def main() -> None:
    base_url = os.environ.get("RASA_URL", "http://127.0.0.1:5005")
    sender = f"terminal-{uuid.uuid4().hex[:12]}"
    print("Chat with the assistant (Indonesian or English). Ctrl-D or /quit to stop.")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            break
        if text in ("/quit", "/exit"):
            break
        if not text:
            continue
        for message in send(text, sender, base_url):
            if "text" in message:
                print(f"bot> {message['text']}")
            for button in message.get("buttons") or []:
                print(f"      [{button['title']}]  (type: {button['payload']})")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
