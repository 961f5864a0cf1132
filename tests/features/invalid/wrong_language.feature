# language: en
# 期待: 1 言語が ja ではありません
Feature: English

  @section-2.1
  Scenario: launch
    When I launch the app
