"""Everything that touches media files: the ffmpeg wrapper, input probing, subtitle files."""
