"""Document forensics: identifiers, e-invoice QR codes and file metadata, as pure checks."""
