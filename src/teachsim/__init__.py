"""teachsim."""
