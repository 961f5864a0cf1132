# language: ja
# 期待: 5 前提事項「ASM-999」は spec/assumptions.yaml にありません
機能: 存在しない前提事項

  @section-2.1 @ASM-999
  シナリオ: 起動する
    もし アプリを起動する
