"""Everything that touches media files: the ffmpeg wrapper and input probing."""
