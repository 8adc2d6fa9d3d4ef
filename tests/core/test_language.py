"""Chinese by default, whatever the browser asks for; English when the user chooses it."""


def test_an_english_browser_still_gets_chinese(client):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in body and 'lang="zh-hans"' in body


def test_the_switch_sets_english_for_this_user(client):
    r = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER="/accounts/login/")
    assert r.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in body and "Sign in" in body
