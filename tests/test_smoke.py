def test_dashboard_counts_only_alices_street(world, client_for):
    c = client_for(world["alice"])
    r = c.get("/")
    assert r.status_code == 200
    body = r.content.decode()
    # street A: 1 working committee + community committee + 2 branches + 1 group = 5 orgs, 3 members
    assert 'data-testid="org-total">5<' in body
    assert 'data-testid="member-total">3<' in body
