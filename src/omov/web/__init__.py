"""The web app (Django): runs a whole contest in the browser. Thin over the pure packages."""
