import pytest


@pytest.fixture
def dial(client):
    """Post to the gateway as Africa's Talking does; returns the reply text (CON/END ...)."""

    def post(session_id: str, phone: str, *inputs: str, expect_status: int = 200) -> str:
        response = client.post(
            "/ussd/gateway/",
            {"sessionId": session_id, "serviceCode": "*900#", "phoneNumber": phone, "text": "*".join(inputs)},
        )
        assert response.status_code == expect_status, response.content
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    return post
