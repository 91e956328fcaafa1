"""Reading documents: a PDF's text layer, else OCR (rapidocr, PP-OCR models in the wheel)."""
