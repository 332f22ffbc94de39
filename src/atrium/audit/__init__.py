"""The audit log: every state-changing API call and admin command, recorded after it completes."""
