# language: ja
# 期待: 1 「機能:」がありません
