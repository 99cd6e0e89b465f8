"""The shared document model: article, paragraphs, sentences; news-aware splitting and page-furniture removal."""
