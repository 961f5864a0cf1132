# language: ja
# 期待: 5 節「9.9」は spec/sections.yaml にありません
機能: 存在しない節

  @section-9.9
  シナリオ: 起動する
    もし アプリを起動する
