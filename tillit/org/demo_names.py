"""Names for the fictitious demo organisations (common in Sweden and Denmark; no real people).

Lists run roughly from most to least common, and the generator weighs them that way.
Names of immigrant origin that are common in Sweden are part of the lists, as in a real
municipality's staff register.
"""


def words(text: str) -> list[str]:
    """The words of a text block, in order."""
    return text.split()


WOMEN = words(
    """
Anna Eva Maria Karin Sara Kristina Lena Emma Kerstin Marie Malin Ingrid Jenny Hanna Linda
Annika Susanne Elin Monica Birgitta Sofia Johanna Carina Elisabeth Julia Ida Ulla Katarina
Linnéa Emelie Helena Camilla Åsa Sandra Anneli Frida Lisa Cecilia Ebba Agnes Alice Maja Elsa
Astrid Wilma Klara Ella Matilda Amanda Moa Josefin Therese Jessica Caroline Petra Anette
Gunilla Margareta Marianne Inger Birgit Yvonne Pia Lotta Ulrika Erika Mikaela Nathalie Rebecka
Louise Tove Stina Sanna Felicia Isabelle Vera Saga Nora Alva Selma Tilda Ellen Signe Ronja
Tindra Hedda Lova Irma Ester Majken Britt Gun Ann Anita Barbro Siv Agneta Ewa Madeleine
Jeanette Viktoria Charlotte Sofie Lina Mia Emilia Fanny Hilda Minna Liv Greta Cornelia Olivia
Nellie Thea Tuva Jasmine Mona Kajsa Hillevi Ylva Ingela Eleonor Annelie Marita Christina
Veronica Lovisa Fatima Amina Maryam Zahra Leila Yasmin Aisha Hiba Noor Rania Dalia Shirin
Nasrin Mina Ayan Hodan Fadumo Agnieszka Katarzyna Aleksandra Marta Jelena Ana Mirela Azra Amra
Elif Zeynep Merve Hanan Rasha Dilan Rojda Tiina Päivi Sirpa Leena Anja Ivana Natalia Olga
Svetlana Sevda Nadia Samira Lejla Emina Senada Dragana Milica Snezana Teresa Carmen Lucia
Gabriela Daniela Sabina Ayla Sana Huda Asha Sahra Hawa Liya Meron Helen Tigist Mai Linh Thao
Anh Jin Yuki
"""
)

MEN = words(
    """
Lars Mikael Anders Johan Erik Per Karl Peter Jan Thomas Daniel Fredrik Hans Andreas Stefan
Mats Marcus Magnus Mattias Jonas Niklas Martin Bengt Alexander Björn Oskar Henrik Viktor Simon
Patrik Bo Göran Nils Christer Tommy Leif Kjell Ulf Sven Robert Joakim Emil Sebastian Anton
David Filip Gustav Jakob Jesper Kristoffer Rasmus Robin Tobias William Lucas Liam Elias Hugo
Axel Ludvig Albin Isak Olle Arvid Linus Kevin Adam Oliver Noah Leo Måns Torbjörn Roger Rolf
Kent Lennart Åke Ingemar Ola Pontus Rickard Jimmy Dennis Jörgen Claes Gunnar Stig Rune Sten
Jonny Conny Håkan Tomas Jonathan Samuel Benjamin Vincent Melvin Edvin Alvin Theo Charlie Frans
Sixten Casper Hampus Gabriel Josef Carl Viggo Valter Harry Sigge Love Elis Malte Otto Kalle
Pelle Ronny Roland Ove Sune Arne Birger Tage Mohammed Ahmed Ali Hassan Hussein Omar Yusuf
Ibrahim Mustafa Karim Amir Reza Mehdi Hamid Abdullahi Mahad Samir Nabil Khalid Tariq Emir
Adnan Edin Dragan Goran Milan Nikola Marko Piotr Tomasz Krzysztof Pawel Andrzej Mehmet Murat
Ahmet Kemal Dawit Yonas Matti Jukka Kari Pekka Juan Carlos Diego José Mahmoud Bilal Yassin
Zakaria Abdi Faisal Hamza Idris Ismail Jamal Rashid Said Walid Aram Dler Shwan Kawa Baran
Arash Babak Farid Navid Kian Darius Mirza Senad Almir Haris Nermin Zoran Vladimir Sergej
Dmitri Aleksander Minh Duc Hung Tuan Hao Wei
"""
)

SURNAMES = words(
    """
Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson
Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson Olofsson
Lindström Lindqvist Lindgren Axelsson Berg Bergström Lundberg Lind Lundgren Lundqvist Mattsson
Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Wallin Ali Engström Mohamed Eklund
Danielsson Lundin Håkansson Björk Bergman Gunnarsson Holm Wikström Samuelsson Isaksson
Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren Söderberg Nyberg Blomqvist Claesson
Nordström Mårtensson Lundström Ahmed Viklund Björklund Eliasson Pålsson Hassan Berggren
Sandström Lund Nordin Ström Åberg Hermansson Ekström Holmgren Sundberg Hedlund Dahlberg
Hellström Sjögren Abrahamsson Falk Öberg Andreasson Martinsson Blom Ek Månsson Åkesson Strand
Hedberg Nordqvist Sundström Lindholm Ekberg Lindahl Göransson Söderström Hallberg Sundqvist
Nordlund Lindblom Jacobsson Jonasson Nordberg Åström Malm Dahl Ekman Borg Strömberg
Hjalmarsson Boström Törnqvist Rosén Lindell Söderlund Westerberg Backman Wallén Sandin
Sjöstrand Engberg Höglund Palm Friberg Lindkvist Nyman Holmqvist Granberg Lundell Ekholm
Sjödin Hägg Frisk Grahn Lilja Kvist Berntsson Wester Edlund Åkerlund Bäckström Stenberg Lindén
Sjölund Brandt Ahlström Modig Rydberg Jensen Hansen Nielsen Pedersen Kaya Yilmaz Demir Öztürk
Çelik Aydın Nowak Kowalski Wiśniewska Zielińska Hosseini Mohammadi Ahmadi Karimi Rezaei
Hussein Abdi Omar Yusuf Warsame Jama Nguyen Tran Le Pham Kovač Hodžić Hadžić Begić Petrović
Jovanović Nikolić Marković Korhonen Virtanen Mäkinen Nieminen Haddad Khalil Saleh Rahman Silva
Garcia Rodríguez López Popescu Ivanova Ibrahim Mahmoud Osman Farah Aziz Khan Haidari Rostami
Sadeghi Jafari Moradi Tekle Gebremedhin Haile Wong Chen Kim Müller Schmidt Ahonen Laine
Heikkinen Andrić Mehmedović Delić
"""
)

# Fjordby Kommune, the small Danish demo organisation.
DANISH_WOMEN = words(
    """
Anne Mette Kirsten Hanne Helle Susanne Lene Maria Marianne Camilla Louise Charlotte Pia Tina
Rikke Line Julie Sofie Ida Emma Mathilde Freja Karen Birgitte Jette Lone Bente Dorte Signe
Maja
"""
)

DANISH_MEN = words(
    """
Peter Jens Lars Michael Henrik Søren Thomas Jan Niels Morten Anders Martin Rasmus Jesper
Christian Mads Frederik Mikkel Jakob Kasper Steen Bo Torben Ole Poul Kim Emil Oliver Magnus
Casper
"""
)

DANISH_SURNAMES = words(
    """
Nielsen Jensen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen
Petersen Madsen Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen
Knudsen Jakobsen Mikkelsen Olesen Frederiksen Laursen Henriksen Lund Schmidt Eriksen Holm
Kristiansen Clausen Simonsen Svendsen Andreasen Iversen Østergaard Jeppesen Vestergaard Nissen
Lauridsen Kjær Jespersen Mogensen
"""
)
